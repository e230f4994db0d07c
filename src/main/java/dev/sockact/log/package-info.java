/**
 * The console logger behind every {@link System.Logger}: one line per message on stderr, installed as the
 * {@link System.LoggerFinder} service, and {@link dev.sockact.log.LogTap} for sockactd's per-unit journal. Depends
 * on no other package of ours; other packages log through {@link System.Logger}, never through these classes
 * ({@code daemon} installs the tap).
 */
package dev.sockact.log;
