package dev.sockact.proxy;

import dev.sockact.log.RateLimitedLog;

/**
 * Where one engine's messages go: its host's logger (socket-proxyd's own, or the hosted unit's in sockactd), and
 * one rate limit per call site. Each of those fails once per client, so a dead target or an exhausted host would
 * otherwise repeat it for every client.
 */
final class ProxyLog {
    final System.Logger logger;
    final RateLimitedLog acceptFailed;
    final RateLimitedLog handlerFailed;
    /** A shortage of descriptors and its end: logged once each, but a shortage can come and go many times. */
    final RateLimitedLog starved;
    final RateLimitedLog resolveFailed;
    final RateLimitedLog connectFailed;
    final RateLimitedLog watchFailed;
    final RateLimitedLog spliceFailed;
    final RateLimitedLog relayFailed;

    ProxyLog(System.Logger logger) {
        this.logger = logger;
        acceptFailed = new RateLimitedLog(logger);
        handlerFailed = new RateLimitedLog(logger);
        starved = new RateLimitedLog(logger);
        resolveFailed = new RateLimitedLog(logger);
        connectFailed = new RateLimitedLog(logger);
        watchFailed = new RateLimitedLog(logger);
        spliceFailed = new RateLimitedLog(logger);
        relayFailed = new RateLimitedLog(logger);
    }

    boolean isDebug() {
        return logger.isLoggable(System.Logger.Level.DEBUG);
    }

    void debug(String message) {
        logger.log(System.Logger.Level.DEBUG, message);
    }
}
