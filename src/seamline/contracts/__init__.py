"""Provider contracts: OpenAPI 3.0 / 3.1 documents that every exchange into a provider must keep."""

from seamline.contracts.openapi import Contract, ContractError

__all__ = ["Contract", "ContractError"]
