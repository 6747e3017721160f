// Failure messages and stack traces go into the failure's encoded attributes, so the payload codec
// seals them too (a database error may quote a caller's phone). Loaded by path
// (`failureConverterPath`): the workflow bundle includes it, and the worker require()s it in its
// main thread for activity failures. Plain CommonJS because that require() is Node's own, which
// cannot load TypeScript where no loader is installed (e.g. a worker inside the test runner).
'use strict';
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
