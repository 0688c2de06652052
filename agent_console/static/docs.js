// Swagger UI for the API's own description, from assets this app serves.
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui" });
