// Initialises Swagger UI from a static file: the site's CSP forbids inline
// scripts. The schema URL comes from the page (data-schema-url).
window.addEventListener("DOMContentLoaded", function () {
  var element = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: element.dataset.schemaUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout",
    supportedSubmitMethods: ["get"],
    validatorUrl: null,
  });
});
