package dev.berth.registry.internal.glob;

import java.util.regex.Pattern;

/**
 * The globs of Berth's configuration (access rules, immutable tags, retention policies), over slash-separated names:
 * {@code *} matches within one path component (no {@code /}), {@code **} across components including none
 * ({@code team/**} matches {@code team}, {@code team/a} and {@code team/a/b}; {@code **} matches everything), {@code ?}
 * one character other than {@code /}; every other character stands for itself. Tags contain no {@code /}, so over
 * tags {@code *} and {@code **} mean the same. Thread-safe (immutable).
 */
public final class Glob {
    /** The placeholder that {@link #compile(String, String)} replaces with a user name. */
    public static final String USER = "${user}";

    private final String text;
    private final Pattern pattern;

    private Glob(String text, Pattern pattern) {
        this.text = text;
        this.pattern = pattern;
    }

    /** A glob; {@code ${user}} in it is literal text. IllegalArgumentException for an empty glob. */
    public static Glob of(String glob) {
        return new Glob(glob, compile(glob, null));
    }

    public boolean matches(String name) {
        return pattern.matcher(name).matches();
    }

    /** The glob as written. */
    @Override
    public String toString() {
        return text;
    }

    /**
     * The regular expression of a glob. With {@code user} not null, {@code ${user}} stands for that name (matched
     * literally, whatever characters it has); with null it is plain text.
     */
    public static Pattern compile(String glob, String user) {
        if (glob == null || glob.isEmpty()) {
            throw new IllegalArgumentException("an empty pattern");
        }
        StringBuilder re = new StringBuilder();
        int i = 0;
        while (i < glob.length()) {
            char c = glob.charAt(i);
            if (user != null && glob.startsWith(USER, i)) {
                re.append(Pattern.quote(user));
                i += USER.length();
            } else if (glob.startsWith("/**", i) && i + 3 == glob.length()) {
                re.append("(/.*)?"); // team/** also matches team itself
                i += 3;
            } else if (glob.startsWith("**/", i)) {
                re.append("(.*/)?");
                i += 3;
            } else if (glob.startsWith("**", i)) {
                re.append(".*");
                i += 2;
            } else if (c == '*') {
                re.append("[^/]*");
                i++;
            } else if (c == '?') {
                re.append("[^/]");
                i++;
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
                i++;
            }
        }
        return Pattern.compile(re.toString());
    }
}
