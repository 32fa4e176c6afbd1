"""The flows reach the warehouse through the `prefect-sqlalchemy` `SqlAlchemyConnector` block
`entrepot` (created by `flows.installation` from WAREHOUSE_DATABASE_URL when missing), so that ops
change its credentials in the Prefect UI. Read once per flow run, inside a flow run only: outside
one (migrations, the web app, a shell) WAREHOUSE_DATABASE_URL is used, without asking Prefect."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)
BLOC_ENTREPOT = "entrepot"
_lu: dict[str, str | None] = {}  # flow run id → the block's URL (None: no block)


def entrepot_url_du_bloc() -> str | None:
    """The warehouse URL of the block, in a flow run whose server has it; else None."""
    from prefect.context import FlowRunContext

    contexte = FlowRunContext.get()
    if contexte is None or contexte.flow_run is None:
        return None
    cle = str(contexte.flow_run.id)
    if cle not in _lu:
        from prefect_sqlalchemy import SqlAlchemyConnector

        try:
            bloc = SqlAlchemyConnector.load(BLOC_ENTREPOT)
        except ValueError:
            _lu[cle] = None
        else:
            from sqlalchemy import make_url

            info = bloc.connection_info
            url = info.create_url() if hasattr(info, "create_url") else make_url(str(info))
            _lu[cle] = url.render_as_string(hide_password=False)
    return _lu[cle]
