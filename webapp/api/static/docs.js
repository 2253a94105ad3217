// Start Swagger UI on the page's #api-docs element with our generated document.
const root = document.getElementById("api-docs");
window.SwaggerUIBundle({
  url: root.dataset.spec,
  domNode: root,
  deepLinking: true,
  withCredentials: true,
  supportedSubmitMethods: ["get"],
});
