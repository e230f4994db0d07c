/**
 * The console logger behind every {@link System.Logger}: one line per message on stderr, installed as the
 * {@link System.LoggerFinder} service; {@link dev.sockact.log.LogTap} for sockactd's per-unit journal; and
 * {@link dev.sockact.log.RateLimitedLog} for a message that can repeat on a hot path. Depends on no other package
 * of ours, so that any package may use it; other packages log through {@link System.Logger}, not through the
 * console logger's classes.
 */
package dev.sockact.log;
