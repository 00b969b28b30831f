// The interactive API reference at /api/docs: Swagger UI, served from this server's own copy of
// swagger-ui-dist, reading the generated /api/openapi.json. Nothing loads from the internet.
/* global SwaggerUIBundle -- defined by swagger-ui-bundle.js, loaded before this script */
window.ui = SwaggerUIBundle({
  url: '/api/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  // Requests from "Try it out" carry the page's sign-in cookie, or a token entered under Authorize.
  withCredentials: true,
  validatorUrl: null,
});
