// graphene-django's graphiql.js reads window.GRAPHENE_SETTINGS; its own page sets it in an inline
// script, which this site's Content-Security-Policy would refuse. Read from data attributes.
(function () {
  var data = document.getElementById("editor").dataset;
  var settings = {
    graphiqlHeaderEditorEnabled: data.headerEditorEnabled === "true",
    graphiqlShouldPersistHeaders: data.shouldPersistHeaders === "true",
    graphiqlInputValueDeprecation: data.inputValueDeprecation === "true",
  };
  if (data.subscriptionPath) {
    settings.subscriptionPath = data.subscriptionPath;
  }
  window.GRAPHENE_SETTINGS = settings;
})();
