// Starts Swagger UI on /docs from the copy served at /docs-assets, so the API docs work offline under the CSP.
"use strict";
window.ui = window.SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  presets: [window.SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  deepLinking: true,
});
