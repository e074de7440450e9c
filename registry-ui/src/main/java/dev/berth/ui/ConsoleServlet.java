package dev.berth.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.registry.Registry;
import dev.berth.registry.UploadInProgress;
import dev.berth.registry.auth.AccessGuard;
import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.events.RegistryEvent;
import dev.berth.registry.events.RequestContext;
import dev.berth.registry.gc.GcSummary;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.ImageIndex;
import dev.berth.registry.model.ImageManifest;
import dev.berth.registry.model.Manifest;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.repository.StoredManifest;
import dev.berth.registry.spi.auth.Action;
import dev.berth.registry.spi.auth.AuthRequest;
import dev.berth.registry.spi.auth.Authentication;
import dev.berth.registry.spi.auth.Authenticator;
import dev.berth.registry.spi.auth.Principal;
import dev.berth.ui.view.ActivityView;
import dev.berth.ui.view.Chrome;
import dev.berth.ui.view.ConfirmView;
import dev.berth.ui.view.ErrorView;
import dev.berth.ui.view.ImageView;
import dev.berth.ui.view.LoginView;
import dev.berth.ui.view.RepositoriesView;
import dev.berth.ui.view.StorageView;
import dev.berth.ui.view.TagsView;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console: HTML pages over a {@link Registry}, for people. Mount it next to the registry servlet, at a path of
 * its own (the server serves it at {@code /ui/}); it builds every link from the request's context and servlet path, so
 * it works under a context path and behind a proxy that adds a prefix.
 *
 * <pre>{@code
 * Activity activity = new Activity(500);
 * Registry registry = Registry.builder().storage(...).events(activity).build();
 * AccessGuard guard = new AccessGuard(htpasswd, rules);
 * context.addServlet(new ServletHolder(new RegistryServlet(registry, ServletOptions.DEFAULTS, guard)), "/*");
 * context.addServlet(new ServletHolder(ConsoleServlet.builder(registry).guard(guard).activity(activity).build()),
 *         "/ui/*");
 * }</pre>
 *
 * <p>It asks the same {@link AccessGuard} as the registry: a viewer sees only the repositories they may pull, and may
 * delete tags only with the delete permission, when the registry allows deletes, and never an immutable tag. Viewers
 * sign in with a form checked by the guard's authenticator (or the one given to {@link Builder#passwords}); the
 * session is a cookie of the console's own ({@code HttpOnly}, {@code SameSite=Strict}, {@code Secure} over TLS) and
 * every form carries a CSRF token. Pages are sent with a Content-Security-Policy that allows nothing but the console's
 * own script and style.
 */
public final class ConsoleServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServlet.class);

    /** The session cookie's name. */
    public static final String COOKIE = "berth_console";
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    /** The User-Agent of the request contexts the console acts in. */
    static final String CONSOLE_AGENT = "berth-console";
    private static final Map<String, String> STATIC = Map.of(
            "app.js", "text/javascript; charset=utf-8",
            "app.css", "text/css; charset=utf-8");

    private final transient Registry registry;
    private final transient AccessGuard guard;
    private final transient Authenticator passwords;
    private final transient Activity activity;
    private final String registryHost;
    private final int pageSize;
    private final transient Sessions sessions;
    private final transient TemplateEngine templates;
    private final transient UsageCache usage;
    private final transient SignInLimiter signIns;
    private final transient Clock clock;
    private final transient Runnable onSignInLimited;

    private ConsoleServlet(Builder b) {
        this.registry = b.registry;
        this.guard = b.guard;
        this.passwords = b.passwords != null ? b.passwords : b.guard.authenticator();
        this.activity = b.activity;
        this.registryHost = b.registryHost;
        this.pageSize = b.pageSize;
        this.sessions = new Sessions(b.sessionIdle, b.maxSessions, b.clock);
        this.clock = b.clock;
        this.onSignInLimited = b.onSignInLimited;
        this.usage = new UsageCache(this::measure, b.usageMaxAge, b.clock);
        if (activity != null) {
            activity.onChange(e -> {
                if (RepositoryName.isValid(e.target().repository())) {
                    usage.invalidate(RepositoryName.parse(e.target().repository()));
                }
            });
        }
        this.signIns = new SignInLimiter(b.signInBurst, b.signInRefill, b.maxSessions, b.clock);
        this.templates = TemplateEngine.createPrecompiled(null, ContentType.Html, ConsoleServlet.class.getClassLoader(),
                "dev.berth.ui.internal.templates");
    }

    /** A builder of a console over {@code registry}. */
    public static Builder builder(Registry registry) {
        return new Builder(registry);
    }

    /**
     * The mapper of the console's JSON answers, made by the first of them: building an {@code ObjectMapper} loads some
     * 450 classes, which a server that constructs the console at startup should not wait for.
     */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    /** Who is looking, and the session they came with (null when none). */
    private record Viewer(String base, Sessions.Session session, Optional<Principal> caller) {
        String name() {
            return caller.map(Principal::name).orElse(null);
        }
    }

    /** An answer other than a page: a status and a message for the error page. */
    private static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        Refusal(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        securityHeaders(resp);
        String base = req.getContextPath() + req.getServletPath();
        String path = req.getPathInfo();
        if (path == null || path.isEmpty()) {
            resp.setStatus(HttpServletResponse.SC_MOVED_PERMANENTLY);
            resp.setHeader("Location", base + "/");
            return;
        }
        if (path.startsWith("/static/")) {
            serveStatic(req, resp, path.substring("/static/".length()));
            return;
        }
        Sessions.Session session = sessions.find(cookie(req)).orElse(null);
        Viewer viewer = new Viewer(base, session, Optional.ofNullable(session).map(s -> s.principal));
        String method = req.getMethod();
        try {
            switch (path) {
                case "/" -> get(method, () -> repositories(req, resp, viewer));
                case "/tags" -> get(method, () -> tags(req, resp, viewer));
                case "/image" -> get(method, () -> image(req, resp, viewer));
                case "/raw" -> get(method, () -> raw(req, resp, viewer));
                case "/storage" -> get(method, () -> storage(resp, viewer));
                case "/activity" -> get(method, () -> activity(resp, viewer));
                case "/api/storage" -> get(method, () -> json(resp, storageJson(viewer)));
                case "/api/activity" -> get(method, () -> json(resp, activityJson(viewer)));
                case "/login" -> {
                    if (method.equals("POST")) {
                        login(req, resp, viewer);
                    } else {
                        get(method, () -> loginForm(req, resp, viewer, null, null, 200));
                    }
                }
                case "/logout" -> post(method, () -> logout(req, resp, viewer));
                case "/delete" -> post(method, () -> delete(req, resp, viewer));
                default -> throw new Refusal(404, "There is no page " + path + " in the console.");
            }
        } catch (Refusal r) {
            if (r.status == 405) {
                resp.setHeader("Allow", r.getMessage());
            }
            error(resp, viewer, r.status, r.status == 405 ? "This page does not take " + method + "." : r.getMessage());
        } catch (RegistryException e) {
            error(resp, viewer, status(e.code()), e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("console: {} {} failed", method, path, e);
            error(resp, viewer, 500, "The console could not show this page; the server's log says why.");
        }
    }

    @FunctionalInterface
    private interface Page {
        void render() throws IOException;
    }

    private static void get(String method, Page page) throws IOException {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            throw new Refusal(405, "GET, HEAD");
        }
        page.render();
    }

    private static void post(String method, Page page) throws IOException {
        if (!method.equals("POST")) {
            throw new Refusal(405, "POST");
        }
        page.render();
    }

    private static int status(ErrorCode code) {
        return switch (code) {
            case NAME_UNKNOWN, MANIFEST_UNKNOWN, BLOB_UNKNOWN -> 404;
            case DENIED -> 403;
            case UNAUTHORIZED -> 401;
            case UNSUPPORTED -> 405;
            case UNAVAILABLE -> 503;
            default -> 400;
        };
    }

    // ---- pages

    private void repositories(HttpServletRequest req, HttpServletResponse resp, Viewer v) throws IOException {
        String query = Optional.ofNullable(req.getParameter("q")).map(String::strip).orElse("");
        String needle = query.toLowerCase(Locale.ROOT);
        Predicate<RepositoryName> visible = name -> guard.permits(v.caller(), name, Action.PULL);
        List<RepositoryName> all = registry.catalog(Integer.MAX_VALUE, (String) null, visible).items();
        List<RepositoryName> matching = needle.isEmpty() ? all
                : all.stream().filter(n -> n.value().toLowerCase(Locale.ROOT).contains(needle)).toList();
        int pages = Math.max(1, (matching.size() + pageSize - 1) / pageSize);
        int page = Math.min(pages, Math.max(1, intParam(req, "page", 1)));
        List<RepositoriesView.Row> rows = new ArrayList<>();
        for (RepositoryName name : matching.subList((page - 1) * pageSize, Math.min(matching.size(), page * pageSize))) {
            UsageCache.Entry e;
            try {
                e = usage.get(name);
            } catch (RegistryException gone) {
                continue; // deleted since the catalog was read
            }
            rows.add(new RepositoriesView.Row(name.value(), tagsHref(v, name), e.tags(), Format.bytes(e.bytes()),
                    e.bytes(), e.lastPush() == null ? "" : Format.time(e.lastPush())));
        }
        String q = query.isEmpty() ? "" : "q=" + enc(query) + "&";
        render(resp, 200, "repositories.jte", new RepositoriesView(chrome(v, "Repositories", "repositories"), query,
                rows, matching.size(), page, pages,
                page > 1 ? v.base() + "/?" + q + "page=" + (page - 1) : null,
                page < pages ? v.base() + "/?" + q + "page=" + (page + 1) : null,
                v.caller().isEmpty() && passwords.acceptsCredentials()));
    }

    private void tags(HttpServletRequest req, HttpServletResponse resp, Viewer given) throws IOException {
        RepositoryName name = RepositoryName.parse(required(req, "repo"));
        requirePull(given, name);
        Repository repo = existing(name, readContext(req, given));
        boolean mayDelete = guard.permits(given.caller(), name, Action.DELETE);
        boolean canDelete = mayDelete && registry.deletesEnabled() && !registry.readOnly();
        Viewer v = canDelete ? withSession(req, resp, given) : given;
        List<Tag> all = new ArrayList<>(repo.tags().list());
        all.sort(Comparator.comparing(Tag::value, NaturalOrder.INSTANCE));
        int pages = Math.max(1, (all.size() + pageSize - 1) / pageSize);
        int page = Math.min(pages, Math.max(1, intParam(req, "page", 1)));
        String host = pullHost(req);
        List<TagsView.Row> rows = new ArrayList<>();
        for (Tag tag : all.subList((page - 1) * pageSize, Math.min(all.size(), page * pageSize))) {
            Optional<Digest> digest = repo.tags().get(tag);
            if (digest.isEmpty()) {
                continue;
            }
            Inspector.Summary s = Inspector.summary(repo, digest.get());
            boolean immutable = registry.immutableTags().isImmutable(name, tag);
            rows.add(new TagsView.Row(tag.value(), imageHref(v, name, tag.value(), false), digest.get().toString(),
                    Format.shortDigest(digest.get()), Format.bytes(s.size()), s.size(), s.created(), s.platforms(),
                    immutable, canDelete && !immutable, "docker pull " + host + "/" + name + ":" + tag));
        }
        String note = null;
        if (mayDelete && registry.readOnly()) {
            note = "The registry is read-only: nothing can be deleted.";
        } else if (mayDelete && !registry.deletesEnabled()) {
            note = "Deletes are disabled on this registry.";
        }
        String message = null;
        if (req.getParameter("deleted") != null) {
            int n = intParam(req, "deleted", 0);
            message = n == 0 ? "No tag was deleted." : "Deleted " + n + (n == 1 ? " tag." : " tags.");
        }
        String self = tagsHref(v, name);
        render(resp, 200, "tags.jte", new TagsView(chrome(v, name.value(), "repositories"), name.value(),
                "docker pull " + host + "/" + name, rows, canDelete, note, message, all.size(), page, pages,
                page > 1 ? self + "&page=" + (page - 1) : null, page < pages ? self + "&page=" + (page + 1) : null,
                v.base() + "/delete"));
    }

    private void image(HttpServletRequest req, HttpServletResponse resp, Viewer v) throws IOException {
        RepositoryName name = RepositoryName.parse(required(req, "repo"));
        requirePull(v, name);
        String refText = required(req, "ref");
        Reference ref = Reference.parse(refText);
        Repository repo = existing(name, readContext(req, v));
        StoredManifest stored = repo.manifests().get(ref).orElseThrow(() -> new Refusal(404,
                "There is no manifest " + refText + " in " + name + "."));
        Optional<Manifest> parsed = Inspector.parse(stored);
        String kind = "artifact";
        List<ImageView.PlatformRow> platforms = new ArrayList<>();
        List<ImageView.LayerRow> layers = new ArrayList<>();
        List<ImageView.Field> config = List.of();
        List<ImageView.Field> labels = List.of();
        List<ImageView.HistoryRow> history = List.of();
        String configJson = null;
        String artifactType = parsed.flatMap(Manifest::artifactType).orElse(null);
        if (parsed.isPresent() && parsed.get() instanceof ImageIndex index) {
            kind = "index";
            for (Descriptor child : index.manifests()) {
                String platform = child.platform() != null ? Format.platform(child.platform())
                        : child.artifactType() != null ? child.artifactType() : "—";
                String reference = child.annotations().get("vnd.docker.reference.type");
                if (reference != null) {
                    platform = reference + " (" + platform + ")";
                }
                Inspector.Summary s = Inspector.summary(repo, child.digest());
                platforms.add(new ImageView.PlatformRow(platform, imageHref(v, name, child.digest().toString(), false),
                        child.digest().toString(), child.mediaType(), Format.bytes(Math.max(s.size(), child.size()))));
            }
        } else if (parsed.isPresent() && parsed.get() instanceof ImageManifest image) {
            if (artifactType == null && Inspector.isImageConfig(image.config().mediaType())) {
                kind = "image";
            } else if (artifactType == null) {
                artifactType = image.config().mediaType();
            }
            for (Descriptor l : image.layers()) {
                layers.add(new ImageView.LayerRow(l.mediaType(), l.digest().toString(), Format.bytes(l.size()),
                        l.size()));
            }
            Optional<JsonNode> c = Inspector.config(repo, image);
            if (c.isPresent()) {
                config = Inspector.configFields(c.get());
                labels = Inspector.labels(c.get());
                history = Inspector.history(c.get(), image.layers());
                configJson = Inspector.pretty(c.get());
            }
        }
        List<ImageView.Field> annotations = new ArrayList<>();
        parsed.ifPresent(m -> new TreeMap<>(m.annotations()).forEach((k, val) ->
                annotations.add(new ImageView.Field(k, val))));
        Inspector.Summary summary = Inspector.summary(repo, stored.digest());
        String pull = "docker pull " + pullHost(req) + "/" + name
                + (ref instanceof Reference.ByTag t ? ":" + t.tag() : "@" + stored.digest());
        render(resp, 200, "image.jte", new ImageView(chrome(v, name + (ref instanceof Reference.ByTag ? ":" : "@")
                + refText, "repositories"), name.value(), tagsHref(v, name), refText, stored.digest().toString(),
                stored.mediaType(), artifactType, kind, Format.bytes(Math.max(summary.size(), stored.size())), pull,
                platforms, annotations, layers, config, labels, history, Inspector.pretty(stored.bytes()),
                imageHref(v, name, stored.digest().toString(), true),
                Inspector.referrers(repo, stored.digest(), (d, raw) -> imageHref(v, name, d.toString(), raw)),
                configJson));
    }

    private void raw(HttpServletRequest req, HttpServletResponse resp, Viewer v) throws IOException {
        RepositoryName name = RepositoryName.parse(required(req, "repo"));
        requirePull(v, name);
        Reference ref = Reference.parse(required(req, "ref"));
        Repository repo = existing(name, readContext(req, v));
        StoredManifest stored = repo.manifests().get(ref).orElseThrow(() -> new Refusal(404,
                "There is no manifest " + ref + " in " + name + "."));
        byte[] bytes = stored.bytes();
        resp.setStatus(200);
        resp.setContentType(stored.mediaType());
        resp.setHeader("Content-Disposition", "attachment; filename=\"" + stored.digest().hex() + ".json\"");
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }

    /**
     * What the repositories a viewer can see weigh: each one's blobs, and every blob once in the total; the uploads
     * in progress in them; and whether the viewer sees every repository (then the garbage collection, which is about
     * all of them, is shown). {@code oldest} is when the oldest figure was read from storage.
     */
    private record Usage(List<StorageView.Row> rows, long total, long sum, Instant oldest,
            List<UploadInProgress> uploads, boolean seesAll) {
    }

    /** One repository read from storage, for {@link UsageCache}: without pull events, as every console read. */
    private UsageCache.Entry measure(RepositoryName name) {
        Instant now = clock.instant();
        Repository repo = registry.inspect(name, RequestContext.local());
        Map<Digest, Long> blobs = Inspector.reachable(repo);
        int tags = repo.tags().list().size();
        return new UsageCache.Entry(blobs, blobs.values().stream().mapToLong(Long::longValue).sum(), tags,
                registry.lastTagged(name).orElse(null), now);
    }

    private Usage usage(Viewer v) {
        List<RepositoryName> all = registry.catalog();
        Set<RepositoryName> visible = new LinkedHashSet<>();
        for (RepositoryName name : all) {
            if (guard.permits(v.caller(), name, Action.PULL)) {
                visible.add(name);
            }
        }
        Map<Digest, Long> everything = new HashMap<>();
        List<StorageView.Row> rows = new ArrayList<>();
        long sum = 0;
        Instant oldest = clock.instant();
        for (RepositoryName name : visible) {
            UsageCache.Entry e;
            try {
                e = usage.get(name);
            } catch (RegistryException gone) {
                continue;
            }
            sum += e.bytes();
            everything.putAll(e.blobs());
            if (e.computedAt().isBefore(oldest)) {
                oldest = e.computedAt();
            }
            rows.add(new StorageView.Row(name.value(), tagsHref(v, name), Format.bytes(e.bytes()), e.bytes(),
                    e.blobs().size()));
        }
        rows.sort(Comparator.comparingLong(StorageView.Row::bytes).reversed()
                .thenComparing(StorageView.Row::repository));
        List<UploadInProgress> uploads = registry.uploadsInProgress().stream()
                .filter(u -> guard.permits(v.caller(), u.repository(), Action.PULL)).toList();
        return new Usage(rows, everything.values().stream().mapToLong(Long::longValue).sum(), sum, oldest, uploads,
                visible.size() == all.size());
    }

    /** The last garbage collection, or why it is not shown. */
    private record LastGc(Optional<GcSummary> summary, String note) {
    }

    /** The last garbage collection, when the viewer may see it (it counts every repository); else why not. */
    private LastGc lastGc(Usage u) {
        if (!u.seesAll()) {
            return new LastGc(Optional.empty(), "The last garbage collection is shown to those who may see every"
                    + " repository.");
        }
        try {
            return new LastGc(registry.lastGarbageCollection(), "No garbage collection has run on this storage yet.");
        } catch (RegistryException e) {
            LOG.warn("console: could not read the last garbage collection's summary: {}", e.getMessage());
            return new LastGc(Optional.empty(), "The last garbage collection's summary could not be read from"
                    + " storage; the server's log says why.");
        }
    }

    private String freshness(Usage u) {
        Duration maxAge = usage.maxAge();
        if (maxAge.isZero()) {
            return "Read from storage for this page.";
        }
        return "Read from storage at " + Format.time(u.oldest()) + " or later; "
                + (activity != null ? "what is pushed or deleted through this server shows at once, other changes "
                        : "changes ")
                + "within " + Format.duration(maxAge) + ".";
    }

    private void storage(HttpServletResponse resp, Viewer v) throws IOException {
        Usage u = usage(v);
        List<StorageView.Upload> uploads = new ArrayList<>();
        for (UploadInProgress up : u.uploads().subList(0, Math.min(pageSize, u.uploads().size()))) {
            uploads.add(new StorageView.Upload(up.repository().value(), tagsHref(v, up.repository()), up.id(),
                    up.started().map(Format::time).orElse(""), Format.bytes(up.bytes()), up.bytes()));
        }
        LastGc last = lastGc(u);
        StorageView.Gc gc = last.summary().map(g -> new StorageView.Gc(Format.time(g.finishedAt()), g.dryRun(),
                g.manifestsDeleted(), g.blobsDeleted(), Format.bytes(g.bytesFreed()), g.bytesFreed(),
                g.manifestsKept(), g.blobsKept(), g.repositories(), g.linksDeleted(), Format.duration(g.duration()),
                Format.time(g.cutoff()))).orElse(null);
        render(resp, 200, "storage.jte", new StorageView(chrome(v, "Storage", "storage"), Format.bytes(u.total()),
                u.total(), Format.bytes(u.sum()), Format.bytes(u.sum() - u.total()), registry.readOnly(),
                registry.deletesEnabled(), u.rows(), freshness(u), uploads, u.uploads().size() - uploads.size(), gc,
                last.note()));
    }

    private Map<String, Object> storageJson(Viewer v) {
        Usage u = usage(v);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("totalBytes", u.total());
        out.put("withoutDeduplicationBytes", u.sum());
        out.put("savedBytes", u.sum() - u.total());
        out.put("readOnly", registry.readOnly());
        out.put("deletesEnabled", registry.deletesEnabled());
        out.put("computedAt", u.oldest().toString());
        out.put("maxAgeSeconds", usage.maxAge().toSeconds());
        out.put("repositories", u.rows().stream().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", r.repository());
            m.put("bytes", r.bytes());
            m.put("blobs", r.blobs());
            return m;
        }).toList());
        out.put("uploads", u.uploads().stream().map(up -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("repository", up.repository().value());
            m.put("id", up.id());
            m.put("startedAt", up.started().map(Instant::toString).orElse(null));
            m.put("bytes", up.bytes());
            return m;
        }).toList());
        out.put("lastGarbageCollection", lastGc(u).summary().map(g -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("finishedAt", g.finishedAt().toString());
            m.put("dryRun", g.dryRun());
            m.put("cutoff", g.cutoff().toString());
            m.put("repositories", g.repositories());
            m.put("manifestsKept", g.manifestsKept());
            m.put("manifestsDeleted", g.manifestsDeleted());
            m.put("blobsKept", g.blobsKept());
            m.put("blobsDeleted", g.blobsDeleted());
            m.put("bytesFreed", g.bytesFreed());
            m.put("linksDeleted", g.linksDeleted());
            m.put("durationMillis", g.duration().toMillis());
            m.put("incompleteWrites", g.incompleteWrites());
            return m;
        }).orElse(null));
        return out;
    }

    /** The recent events of the repositories the viewer may pull, newest first. */
    private List<RegistryEvent> visibleEvents(Viewer v) {
        if (activity == null) {
            return List.of();
        }
        return activity.recent().stream().filter(e -> RepositoryName.isValid(e.target().repository())
                && guard.permits(v.caller(), RepositoryName.parse(e.target().repository()), Action.PULL)).toList();
    }

    private Map<String, Object> activityJson(Viewer v) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("recording", activity != null);
        out.put("events", visibleEvents(v).stream().map(e -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("time", e.timestamp().toString());
            m.put("action", e.action().wireName());
            m.put("repository", e.target().repository());
            m.put("tag", e.target().tag());
            m.put("digest", e.target().digest() == null ? null : e.target().digest().toString());
            m.put("mediaType", e.target().mediaType());
            m.put("size", e.target().size() < 0 ? null : e.target().size());
            m.put("actor", e.actor().name().isEmpty() ? null : e.actor().name());
            return m;
        }).toList());
        return out;
    }

    private static void json(HttpServletResponse resp, Object value) throws IOException {
        byte[] bytes = Json.MAPPER.writeValueAsBytes(value);
        resp.setStatus(200);
        resp.setContentType("application/json");
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }

    private void activity(HttpServletResponse resp, Viewer v) throws IOException {
        List<ActivityView.Row> rows = new ArrayList<>();
        for (RegistryEvent e : visibleEvents(v)) {
            RegistryEvent.Target t = e.target();
            String what = t.tag() != null ? t.tag() : t.digest() != null ? Format.shortDigest(t.digest())
                    : "the repository";
            if (t.fromRepository() != null) {
                what += " from " + t.fromRepository();
            }
            rows.add(new ActivityView.Row(Format.time(e.timestamp()), e.action().wireName(), t.repository(),
                    tagsHref(v, RepositoryName.parse(t.repository())), what,
                    e.actor().name().isEmpty() ? "anonymous" : e.actor().name()));
        }
        render(resp, 200, "activity.jte", new ActivityView(chrome(v, "Activity", "activity"), activity != null,
                activity == null ? 0 : activity.capacity(), rows));
    }

    // ---- signing in and out, deleting

    private void loginForm(HttpServletRequest req, HttpServletResponse resp, Viewer given, String user, String error,
            int status) throws IOException {
        if (!passwords.acceptsCredentials()) {
            resp.setStatus(303);
            resp.setHeader("Location", given.base() + "/");
            return;
        }
        Viewer v = withSession(req, resp, given);
        render(resp, status, "login.jte", new LoginView(chrome(v, "Sign in", ""), v.base() + "/login", user, error));
    }

    private void login(HttpServletRequest req, HttpServletResponse resp, Viewer v) throws IOException {
        if (!passwords.acceptsCredentials()) {
            throw new Refusal(404, "This registry has no sign-in: everyone sees everything.");
        }
        String user = Optional.ofNullable(req.getParameter("user")).orElse("").strip();
        if (v.session() == null || !v.session().csrfMatches(req.getParameter("csrf"))) {
            loginForm(req, resp, new Viewer(v.base(), null, Optional.empty()), user,
                    "The form had expired; please sign in again.", 403);
            return;
        }
        String address = req.getRemoteAddr();
        Optional<Duration> wait = signIns.check(address, user);
        if (wait.isPresent()) {
            LOG.debug("console: sign-in from {} refused: too many failures", address);
            tooMany(req, resp, v, user, wait.get());
            return;
        }
        String password = Optional.ofNullable(req.getParameter("password")).orElse("");
        Optional<Principal> principal = Optional.empty();
        if (!user.isEmpty() && user.indexOf(':') < 0 && !password.isEmpty()) {
            String basic = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            Authentication a = passwords.authenticate(AuthRequest.of(Map.of("Authorization", "Basic " + basic),
                    req.getRemoteAddr()));
            if (a instanceof Authentication.Authenticated ok) {
                principal = Optional.of(ok.principal());
            }
        }
        if (principal.isEmpty()) {
            // The name as typed, cut short and without control characters (no forged log lines); never the password.
            String shown = (user.length() > 64 ? user.substring(0, 64) : user).replaceAll("\\p{Cntrl}", "?");
            LOG.info("console: sign-in as '{}' from {} refused", shown, address);
            Optional<Duration> limited = signIns.failed(address, user);
            if (limited.isPresent()) {
                // Once per address or name that runs out of tries, not once per refused try: no log flood.
                LOG.warn("console: sign-in limited after repeated failures as '{}' or from {}: the next try in {} s",
                        shown, address, seconds(limited.get()));
                tooMany(req, resp, v, user, limited.get());
                return;
            }
            loginForm(req, resp, v, user, "Wrong user name or password.", 401);
            return;
        }
        signIns.succeeded(user);
        sessions.remove(v.session().id); // a fresh id for the signed-in session
        Sessions.Session s = sessions.create(principal.get());
        setCookie(req, resp, v.base(), s.id, false);
        resp.setStatus(303);
        resp.setHeader("Location", v.base() + "/");
    }

    /** 429 on the sign-in form, saying how long to wait. */
    private void tooMany(HttpServletRequest req, HttpServletResponse resp, Viewer v, String user, Duration wait)
            throws IOException {
        long s = seconds(wait);
        try {
            onSignInLimited.run();
        } catch (RuntimeException e) {
            LOG.warn("console: the sign-in limit's listener failed: {}", e.toString());
        }
        resp.setHeader("Retry-After", Long.toString(s));
        loginForm(req, resp, v, user, "Too many failed sign-ins from your address or for this user name: try again in "
                + s + (s == 1 ? " second." : " seconds."), 429);
    }

    private static long seconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }

    private void logout(HttpServletRequest req, HttpServletResponse resp, Viewer v) {
        requireCsrf(req, v);
        sessions.remove(v.session().id);
        setCookie(req, resp, v.base(), "", true);
        resp.setStatus(303);
        resp.setHeader("Location", v.base() + "/");
    }

    private void delete(HttpServletRequest req, HttpServletResponse resp, Viewer v) throws IOException {
        requireCsrf(req, v);
        RepositoryName name = RepositoryName.parse(required(req, "repo"));
        requirePull(v, name);
        if (!guard.permits(v.caller(), name, Action.DELETE)) {
            throw new Refusal(403, "You may not delete in " + name + ".");
        }
        if (registry.readOnly() || !registry.deletesEnabled()) {
            throw new Refusal(405, "Deletes are disabled on this registry.");
        }
        Set<Tag> tags = new LinkedHashSet<>();
        for (String t : Optional.ofNullable(req.getParameterValues("tag")).orElse(new String[0])) {
            tags.add(Tag.parse(t));
        }
        String back = tagsHref(v, name);
        if (tags.isEmpty()) {
            resp.setStatus(303);
            resp.setHeader("Location", back + "&deleted=0");
            return;
        }
        for (Tag t : tags) {
            if (registry.immutableTags().isImmutable(name, t)) {
                throw new Refusal(403, "Tag " + t + " is immutable: it cannot be deleted.");
            }
        }
        if (!"yes".equals(req.getParameter("confirmed"))) {
            render(resp, 200, "confirm.jte", new ConfirmView(chrome(v, "Delete tags of " + name, "repositories"),
                    name.value(), tags.stream().map(Tag::value).toList(), v.base() + "/delete", back));
            return;
        }
        Repository repo = existing(registry.repository(name, changeContext(req, v)));
        int deleted = 0;
        for (Tag t : tags) {
            try {
                repo.tags().delete(t);
                deleted++;
            } catch (RegistryException e) {
                if (e.code() != ErrorCode.MANIFEST_UNKNOWN) {
                    throw e;
                }
            }
        }
        resp.setStatus(303);
        resp.setHeader("Location", back + "&deleted=" + deleted);
    }

    // ---- helpers

    private void requireCsrf(HttpServletRequest req, Viewer v) {
        if (v.session() == null || !v.session().csrfMatches(req.getParameter("csrf"))) {
            throw new Refusal(403, "The form had expired or did not come from this console; reload the page and try"
                    + " again.");
        }
    }

    private void requirePull(Viewer v, RepositoryName name) {
        if (!guard.permits(v.caller(), name, Action.PULL)) {
            // The same answer as for a repository that does not exist: nothing is told of what one may not see.
            throw new Refusal(404, "There is no repository " + name + " that you may see."
                    + (v.caller().isEmpty() && passwords.acceptsCredentials() ? " Signing in may show it." : ""));
        }
    }

    /** The repository to read from for a page: reads through it are not reported as pulls. */
    private Repository existing(RepositoryName name, RequestContext context) {
        return existing(registry.inspect(name, context));
    }

    private static Repository existing(Repository repo) {
        RepositoryName name = repo.name();
        if (!repo.exists()) {
            throw new Refusal(404, "There is no repository " + name + " that you may see.");
        }
        return repo;
    }

    private Viewer withSession(HttpServletRequest req, HttpServletResponse resp, Viewer v) {
        if (v.session() != null) {
            return v;
        }
        Sessions.Session s = sessions.create(null);
        setCookie(req, resp, v.base(), s.id, false);
        return new Viewer(v.base(), s, Optional.empty());
    }

    private Chrome chrome(Viewer v, String title, String section) {
        return new Chrome(v.base(), title, section, v.name(), passwords.acceptsCredentials(),
                v.session() == null ? null : v.session().csrf);
    }

    /** Reads done for a page (read through {@link Registry#inspect}: no pull is reported). */
    private static RequestContext readContext(HttpServletRequest req, Viewer v) {
        return new RequestContext(new RegistryEvent.Request(UUID.randomUUID().toString(),
                req == null ? "" : req.getRemoteAddr(), "", "GET", CONSOLE_AGENT), actor(v), null);
    }

    private static RequestContext changeContext(HttpServletRequest req, Viewer v) {
        return new RequestContext(new RegistryEvent.Request(UUID.randomUUID().toString(), req.getRemoteAddr(),
                Optional.ofNullable(req.getHeader("Host")).orElse(""), req.getMethod(), req.getHeader("User-Agent")),
                actor(v), null);
    }

    private static RegistryEvent.Actor actor(Viewer v) {
        return v.caller().filter(p -> !p.anonymous()).map(p -> new RegistryEvent.Actor(p.name()))
                .orElse(RegistryEvent.Actor.ANONYMOUS);
    }

    private String pullHost(HttpServletRequest req) {
        if (registryHost != null) {
            return registryHost;
        }
        String host = req.getHeader("Host");
        return host != null && !host.isBlank() ? host : req.getServerName() + ":" + req.getServerPort();
    }

    private static String tagsHref(Viewer v, RepositoryName name) {
        return v.base() + "/tags?repo=" + enc(name.value());
    }

    private static String imageHref(Viewer v, RepositoryName name, String ref, boolean raw) {
        return v.base() + (raw ? "/raw" : "/image") + "?repo=" + enc(name.value()) + "&ref=" + enc(ref);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String required(HttpServletRequest req, String name) {
        String v = req.getParameter(name);
        if (v == null || v.isEmpty()) {
            throw new Refusal(400, "The parameter '" + name + "' is missing.");
        }
        return v;
    }

    private static int intParam(HttpServletRequest req, String name, int dflt) {
        String v = req.getParameter(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new Refusal(400, "The parameter '" + name + "' must be a number.");
        }
    }

    private static String cookie(HttpServletRequest req) {
        Cookie[] cookies = req.getCookies();
        if (cookies != null) {
            for (Cookie c : cookies) {
                if (COOKIE.equals(c.getName())) {
                    return c.getValue();
                }
            }
        }
        return null;
    }

    private void setCookie(HttpServletRequest req, HttpServletResponse resp, String base, String value,
            boolean expire) {
        StringBuilder sb = new StringBuilder(COOKIE).append('=').append(value)
                .append("; Path=").append(base.isEmpty() ? "/" : base)
                .append("; HttpOnly; SameSite=Strict");
        if (expire) {
            sb.append("; Max-Age=0");
        }
        if (req.isSecure()) {
            sb.append("; Secure");
        }
        resp.addHeader("Set-Cookie", sb.toString());
    }

    private static void securityHeaders(HttpServletResponse resp) {
        resp.setHeader("Content-Security-Policy", CSP);
        resp.setHeader("X-Frame-Options", "DENY");
        resp.setHeader("X-Content-Type-Options", "nosniff");
        resp.setHeader("Referrer-Policy", "same-origin");
        resp.setHeader("Cache-Control", "no-store");
    }

    private void render(HttpServletResponse resp, int status, String template, Object model) throws IOException {
        StringOutput out = new StringOutput(16 << 10);
        templates.render(template, model, out);
        byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        resp.setContentType("text/html; charset=utf-8");
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }

    private void error(HttpServletResponse resp, Viewer v, int status, String message) throws IOException {
        if (resp.isCommitted()) {
            return;
        }
        resp.resetBuffer();
        render(resp, status, "error.jte", new ErrorView(chrome(v, "Error " + status, ""), status, message));
    }

    private static void serveStatic(HttpServletRequest req, HttpServletResponse resp, String name) throws IOException {
        String type = STATIC.get(name);
        InputStream in = type == null ? null : ConsoleServlet.class.getResourceAsStream("static/" + name);
        if (in == null) {
            resp.sendError(404);
            return;
        }
        if (!req.getMethod().equals("GET") && !req.getMethod().equals("HEAD")) {
            in.close();
            resp.setHeader("Allow", "GET, HEAD");
            resp.sendError(405);
            return;
        }
        try (in) {
            byte[] bytes = in.readAllBytes();
            resp.setStatus(200);
            resp.setContentType(type);
            resp.setHeader("Cache-Control", "no-cache");
            resp.setContentLength(bytes.length);
            resp.getOutputStream().write(bytes);
        }
    }

    @Override
    public String toString() {
        return "ConsoleServlet[" + guard + "]";
    }

    /** Builds a {@link ConsoleServlet}. */
    public static final class Builder {
        private final Registry registry;
        private AccessGuard guard = AccessGuard.OPEN;
        private Authenticator passwords;
        private Activity activity;
        private String registryHost;
        private int pageSize = 50;
        private Duration sessionIdle = Duration.ofHours(8);
        private int maxSessions = 10_000;
        private Clock clock = Clock.systemUTC();
        private Duration usageMaxAge = Duration.ofMinutes(5);
        private int signInBurst = 5;
        private Duration signInRefill = Duration.ofSeconds(30);
        private Runnable onSignInLimited = () -> { };

        private Builder(Registry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        /** The access check the registry servlet uses ({@link AccessGuard#OPEN} by default: everyone sees all). */
        public Builder guard(AccessGuard guard) {
            this.guard = Objects.requireNonNull(guard, "guard");
            return this;
        }

        /**
         * What checks the sign-in form's user name and password, as HTTP Basic credentials; the guard's
         * authenticator by default. A registry whose guard takes only bearer tokens passes the token issuer's
         * user list (an htpasswd authenticator) here.
         */
        public Builder passwords(Authenticator passwords) {
            this.passwords = Objects.requireNonNull(passwords, "passwords");
            return this;
        }

        /** The buffer of recent events the activity page shows (give the same one to the registry's events). */
        public Builder activity(Activity activity) {
            this.activity = Objects.requireNonNull(activity, "activity");
            return this;
        }

        /**
         * The host (and port) clients pull from, for the pull commands ({@code registry.example.com}); by default the
         * Host the browser asked for.
         */
        public Builder registryHost(String host) {
            this.registryHost = Objects.requireNonNull(host, "host");
            return this;
        }

        /** How many repositories or tags one page lists (50 by default). */
        public Builder pageSize(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("pageSize must be at least 1: " + n);
            }
            this.pageSize = n;
            return this;
        }

        /** How long an unused session lives (8 hours by default) and how many are kept at most (10,000). */
        public Builder sessions(Duration idle, int max) {
            this.sessionIdle = Objects.requireNonNull(idle, "idle");
            this.maxSessions = max;
            return this;
        }

        /**
         * How long a repository's size, tag count and last push are kept before they are read from storage again (5
         * minutes by default; zero reads them for every page). A change made through the registry whose events feed
         * the {@link #activity activity} buffer shows at once; this bounds how late other changes show (another
         * replica on the same storage, or a console without an activity buffer).
         */
        public Builder usageMaxAge(Duration maxAge) {
            Objects.requireNonNull(maxAge, "maxAge");
            if (maxAge.isNegative()) {
                throw new IllegalArgumentException("usageMaxAge must not be negative: " + maxAge);
            }
            this.usageMaxAge = maxAge;
            return this;
        }

        /**
         * How many failed sign-ins a client address, and a user name, may have in a row ({@code burst}, 5 by
         * default) before the form answers 429 with a Retry-After, and how often one more try is allowed after that
         * ({@code refill}, every 30 seconds by default). A refused try does not check the password.
         */
        public Builder signInLimit(int burst, Duration refill) {
            Objects.requireNonNull(refill, "refill");
            if (burst < 1 || refill.isZero() || refill.isNegative()) {
                throw new IllegalArgumentException("signInLimit needs a burst of at least 1 and a positive refill: "
                        + burst + ", " + refill);
            }
            this.signInBurst = burst;
            this.signInRefill = refill;
            return this;
        }

        /**
         * Called each time a sign-in is refused by the {@link #signInLimit limit} (with a 429), on the request's
         * thread: for a metric (the server counts {@code berth_http_limit_hits_total{limit="console_sign_in"}}). Must
         * return at once. A line is logged too, once each time an address or a user name runs out of tries.
         */
        public Builder onSignInLimited(Runnable listener) {
            this.onSignInLimited = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** The clock sessions expire by (and sizes age and sign-in limits refill by). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The console. */
        public ConsoleServlet build() {
            return new ConsoleServlet(this);
        }
    }
}
