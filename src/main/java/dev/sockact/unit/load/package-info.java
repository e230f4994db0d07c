/**
 * Finding and loading units: the search path, drop-ins, and the checks that span several settings. Depends on
 * {@code unit} and {@code unit.parse}; never on {@code posix} or any package above.
 */
package dev.sockact.unit.load;
