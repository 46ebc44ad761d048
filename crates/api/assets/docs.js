// Renders /openapi.yaml with the vendored Redoc (loaded before this file).
'use strict';
Redoc.init('/openapi.yaml', { expandResponses: '200,201', hideDownloadButton: false }, document.getElementById('redoc'));
