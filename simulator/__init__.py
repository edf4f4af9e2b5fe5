"""tooltrail.simulator: realistic, labelled MCP traffic.

Sent through the real emitter → collector path with an injected event-time clock.
"""
