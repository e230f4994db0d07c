/**
 * Finding and loading units: the search path, drop-ins, and the checks that span several settings.
 */
package dev.sockact.unit.load;
