/**
 * What Berth prints about the outside world, made safe and useful to print: URLs without their secrets, host and
 * port in URL form, and failures described by more than {@code null}. Everything that puts a URL or an exception into
 * a log line, an error detail or a startup message goes through here, so the rule is kept in one place.
 */
package dev.berth.registry.diagnostics;
