"""Alert sinks: Slack, signed webhooks, the console; a dispatcher that retries and isolates them."""
