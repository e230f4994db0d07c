/**
 * Unit-file parsing: the lexer, one directive table per section, value parsers with systemd's rules and messages,
 * and specifier expansion. Never logs; problems are returned as diagnostics.
 */
package dev.sockact.unit.parse;
