/**
 * Unit-file parsing: the lexer, one directive table per section, value parsers with systemd's rules and messages,
 * and specifier expansion. Never logs; problems are returned as diagnostics. Depends on {@code unit} and
 * {@code text}; never on {@code unit.load}, {@code posix} or any package above.
 */
package dev.sockact.unit.parse;
