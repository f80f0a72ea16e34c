package io.vxmesh.config;

import java.time.Duration;

/**
 * The {@code [agent]} table.
 *
 * @param resyncInterval period of the full reconcile pass that repairs drift nobody told us about (default 30 s)
 * @param logLevel root log level: trace, debug, info, warn or error (default info)
 */
public record AgentConfig(Duration resyncInterval, String logLevel) {}
