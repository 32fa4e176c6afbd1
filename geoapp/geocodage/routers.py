"""The `warehouse` alias is read-only: only the models of `geoapp.geocodage` that declare
`warehouse = True` (unmanaged views of the cloned BAN) are read there; nothing is ever written
nor migrated there (the connection itself is `default_transaction_read_only`)."""

WAREHOUSE_ALIAS = "warehouse"


def _in_warehouse(model) -> bool:
    return getattr(model, "warehouse", False) is True


class WarehouseRouter:
    def db_for_read(self, model, **hints):
        return WAREHOUSE_ALIAS if _in_warehouse(model) else None

    def db_for_write(self, model, **hints):
        if _in_warehouse(model):
            raise RuntimeError(f"{model.__name__} lives in the read-only warehouse: the clone flows write it")
        return None

    def allow_relation(self, obj1, obj2, **hints):
        if _in_warehouse(type(obj1)) or _in_warehouse(type(obj2)):
            return False
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db == WAREHOUSE_ALIAS:
            return False
        model = hints.get("model")
        if model is not None and _in_warehouse(model):
            return False
        return None
