// Imported first by bench/run.ts: set before any module creates an AWS client at import time.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.LOG_LEVEL ??= 'ERROR';
process.env.METRICS_DISABLED ??= 'true';
// The handlers read their configuration once; each bench passes its own table in deps, this only satisfies config().
process.env.TABLE_NAME ??= 'bench';
