from seamline.mock.pytest_fixtures import _mock_session_server, mock, mock_loop, mock_shared

__all__ = ["_mock_session_server", "mock", "mock_loop", "mock_shared"]
