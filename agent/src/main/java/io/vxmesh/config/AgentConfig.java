package io.vxmesh.config;

import java.time.Duration;

/**
 * The {@code [agent]} table, and {@code log.format} of the {@code [log]} table.
 *
 * @param resyncInterval period of the full reconcile pass that repairs drift nobody told us about (default 30 s)
 * @param logLevel root log level: trace, debug, info, warn or error (default info)
 * @param logFormat {@code log.format}: "text" (default) or "json" (one JSON object per line)
 * @param vxlanFilter keep the nftables table {@code ip vxmesh} that drops VXLAN from non-members
 *     (default true; off only for kernels without nf_tables or hosts whose firewall does it)
 */
public record AgentConfig(Duration resyncInterval, String logLevel, String logFormat, boolean vxlanFilter) {}
