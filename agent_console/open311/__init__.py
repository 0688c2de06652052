"""The Open311 GeoReport v2 API: routes, its JSON and XML answers, its errors and limits."""
