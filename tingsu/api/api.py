from ninja import NinjaAPI

api = NinjaAPI(title="Tingsu API", version="1", urls_namespace="api")
