"""A small FastAPI project, as `seamline init` finds one."""

from fastapi import FastAPI

api: FastAPI = FastAPI(title="greeter")


@api.get("/greet/{name}")
def greet(name: str) -> dict[str, str]:
    return {"greeting": f"hello, {name}"}
