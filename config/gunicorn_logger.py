"""gunicorn's access log without the secrets of personal links (programmes/logredact.py):
started with `--logger-class config.gunicorn_logger.RedactingLogger` (config/docker/Dockerfile)."""

from gunicorn.glogging import Logger

from programmes.logredact import redact

# Access-log atoms that hold an address: request line, path, referer; and the bare query.
_ADDRESS_ATOMS = ("r", "U", "f")
_QUERY_ATOMS = ("q", "{query_string}e")


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name, value in atoms.items():
            if not isinstance(value, str):
                continue
            if name in _QUERY_ATOMS:  # "code=...": masked as the query of an address
                atoms[name] = redact("?" + value)[1:]
            elif name in _ADDRESS_ATOMS or name.startswith("{"):  # also %({raw_uri}e)s
                atoms[name] = redact(value)
        return atoms
