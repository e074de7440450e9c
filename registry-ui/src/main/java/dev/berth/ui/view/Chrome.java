package dev.berth.ui.view;

/**
 * What every page has around its content.
 *
 * @param base          the console's own path (context path and servlet path), without a trailing slash
 * @param title         the page's title
 * @param section       which item of the navigation is current: {@code repositories}, {@code storage},
 *                      {@code activity} or empty
 * @param viewer        the signed-in user's name, or null for an anonymous viewer
 * @param signInOffered whether the registry takes credentials, so that signing in can show more
 * @param csrf          the token every form posts, or null when the page has no form
 */
public record Chrome(String base, String title, String section, String viewer, boolean signInOffered, String csrf) {
}
