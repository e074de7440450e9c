package dev.berth.registry.internal.storage;

import dev.berth.registry.spi.storage.InvalidPathException;
import dev.berth.registry.spi.storage.StorageDriver;

/** The one rule for what a storage path may look like (see {@link dev.berth.registry.spi.storage.StorageDriver}). */
public final class StoragePaths {
    private StoragePaths() {
    }

    public static final int MAX_LENGTH = StorageDriver.MAX_PATH_LENGTH;

    /** Throws unless {@code path} is {@code /} or an absolute path of valid components. */
    public static void check(String path) throws InvalidPathException {
        if (path == null) {
            throw new InvalidPathException("null", "path is null");
        }
        if (path.equals("/")) {
            return;
        }
        if (path.length() > MAX_LENGTH) {
            throw new InvalidPathException(path.substring(0, 64) + "...", "longer than " + MAX_LENGTH + " characters");
        }
        if (!path.startsWith("/")) {
            throw new InvalidPathException(path, "not absolute");
        }
        int start = 1;
        while (true) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            checkComponent(path, start, end);
            if (end == path.length()) {
                return;
            }
            start = end + 1;
        }
    }

    /** True when {@code path} passes {@link #check}. */
    public static boolean isValid(String path) {
        try {
            check(path);
            return true;
        } catch (InvalidPathException e) {
            return false;
        }
    }

    private static void checkComponent(String path, int start, int end) throws InvalidPathException {
        if (start == end) {
            throw new InvalidPathException(path, "empty component");
        }
        if (end - start <= 2 && path.charAt(start) == '.' && (end - start == 1 || path.charAt(start + 1) == '.')) {
            throw new InvalidPathException(path, "'.' and '..' are not allowed");
        }
        for (int i = start; i < end; i++) {
            char c = path.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!ok) {
                throw new InvalidPathException(path, "character '" + c + "' is not allowed (A-Z a-z 0-9 . _ -)");
            }
        }
    }

    /** The parent of a valid path other than {@code /}: {@code /a/b} → {@code /a}, {@code /a} → {@code /}. */
    public static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    /** {@code dir} + {@code /} + {@code name}, without doubling the slash of the root. */
    public static String join(String dir, String name) {
        return dir.equals("/") ? "/" + name : dir + "/" + name;
    }

    /** The last component: {@code /a/b} → {@code b}. */
    public static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
