// Handlers read configuration at import; tests run with neutral values and no real AWS.
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
process.env.DEFAULT_REGION ??= 'US';
process.env.TABLE_NAME ??= 'test-table';
process.env.LOG_LEVEL ??= 'CRITICAL';
process.env.CURSOR_SIGNING_KEY ??= 'test-cursor-key';
process.env.TWILIO_AUTH_TOKEN ??= 'test-twilio-token';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.METRICS_DISABLED ??= 'true';
