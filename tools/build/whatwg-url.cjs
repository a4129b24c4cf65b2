// Stands in for the `whatwg-url` package in the extension bundle. node-fetch v2 only falls back to it when
// Node has no global URL class (`Url.URL || whatwgUrl.URL`), which never happens on the Node versions VS Code
// ships; bundling it would add ~280 KB of Unicode tables (tr46) to the extension's start-up.
'use strict';
module.exports = { URL: require('url').URL };
