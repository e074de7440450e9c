package dev.berth.registry.internal.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.event.EventRecordingLogger;
import org.slf4j.event.Level;
import org.slf4j.event.SubstituteLoggingEvent;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.SubstituteLogger;

/**
 * Discovery through services files under src/test/resources, one test-only service interface per case, so that no
 * broken provider is ever seen by the registry's own lookups.
 */
class PluginsTest {
    private static final ClassLoader LOADER = PluginsTest.class.getClassLoader();

    @Test
    void aProviderWhoseConstructorFailsIsReportedWithItsLocationAndCause() {
        assertThatThrownBy(() -> Plugins.load(Gadget.class, "gadget", Gadget::name, LOADER))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a gadget cannot be loaded")
                .hasMessageContaining(ExplodingGadget.class.getName())
                .hasMessageContaining("from " + Plugins.location(ExplodingGadget.class))
                .hasMessageContaining("gadget fuse blown")
                .hasCauseInstanceOf(ServiceConfigurationError.class);
        assertThat(Plugins.location(ExplodingGadget.class)).startsWith("file:").contains("test-classes");
    }

    @Test
    void aListedClassThatIsMissingIsReportedWithTheServicesFileThatListsIt() {
        assertThatThrownBy(() -> Plugins.load(Widget.class, "widget", Widget::name, LOADER))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a widget cannot be loaded")
                .hasMessageContaining("dev.berth.registry.internal.plugin.NoSuchWidget listed in file:")
                .hasMessageContaining("META-INF/services/" + Widget.class.getName())
                .hasMessageContaining("not found (fix or remove its jar)");
    }

    @Test
    void twoProvidersOfOneNameFailNamingBothAndWhereTheyCameFrom() {
        assertThatThrownBy(() -> Plugins.load(Twin.class, "twin", Twin::name, LOADER))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("two twins are named 'twin'")
                .hasMessageContaining(LeftTwin.class.getName() + " (from " + Plugins.location(LeftTwin.class) + ")")
                .hasMessageContaining(RightTwin.class.getName() + " (from " + Plugins.location(RightTwin.class) + ")")
                .hasMessageContaining("remove one of them");
    }

    @Test
    void whatWasFoundIsLoggedOnceAtDebug() {
        ConcurrentLinkedQueue<SubstituteLoggingEvent> events = new ConcurrentLinkedQueue<>();
        EventRecordingLogger log = new EventRecordingLogger(new SubstituteLogger("plugins", events, false), events);
        Map<String, Sprocket> first = Plugins.load(Sprocket.class, "sprocket", Sprocket::name, LOADER, log);
        Map<String, Sprocket> second = Plugins.load(Sprocket.class, "sprocket", Sprocket::name, LOADER, log);
        assertThat(first.keySet()).containsExactly("good");
        assertThat(second.keySet()).containsExactly("good");
        assertThat(events).hasSize(1);
        SubstituteLoggingEvent event = events.peek();
        assertThat(event.getLevel()).isEqualTo(Level.DEBUG);
        assertThat(MessageFormatter.arrayFormat(event.getMessage(), event.getArgumentArray()).getMessage())
                .isEqualTo("sprockets found: good (" + GoodSprocket.class.getName() + " from "
                        + Plugins.location(GoodSprocket.class) + ")");
    }

    @Test
    void anUnknownNameListsTheNamesThatExist() {
        Map<String, Sprocket> found = Plugins.load(Sprocket.class, "sprocket", Sprocket::name, LOADER);
        assertThat(Plugins.named(found, "good", Sprocket.class, "sprocket")).isInstanceOf(GoodSprocket.class);
        assertThatThrownBy(() -> Plugins.named(found, "bad", Sprocket.class, "sprocket"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no sprocket named 'bad'; available: good (a sprocket is found through "
                        + "META-INF/services/" + Sprocket.class.getName() + ")");
        assertThatThrownBy(() -> Plugins.named(Map.of(), "bad", Sprocket.class, "sprocket"))
                .hasMessageContaining("available: none");
    }

    @Test
    void aLoaderWithoutProvidersFindsNothing() {
        ClassLoader empty = new ClassLoader(null) {
        };
        assertThat(Plugins.load(Sprocket.class, "sprocket", Sprocket::name, empty)).isEmpty();
        assertThat(Plugins.load(Sprocket.class, "sprocket", Sprocket::name, LOADER).values().stream()
                .map(s -> s.getClass().getSimpleName()).collect(Collectors.toList())).containsExactly("GoodSprocket");
    }

    /** What each test service asks of its providers. */
    public interface Service {
        String name();
    }

    /** The providers below: each is named by what it passes up. */
    abstract static class Named {
        private final String name;

        Named(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }
    }

    /** A service with a working provider and one whose constructor throws. */
    public interface Gadget extends Service {
    }

    public static final class GoodGadget extends Named implements Gadget {
        public GoodGadget() {
            super("good");
        }
    }

    public static final class ExplodingGadget extends Named implements Gadget {
        public ExplodingGadget() {
            super("exploding");
            throw new IllegalStateException("gadget fuse blown");
        }
    }

    /** A service whose services file lists a class that is not there. */
    public interface Widget extends Service {
    }

    public static final class GoodWidget extends Named implements Widget {
        public GoodWidget() {
            super("good");
        }
    }

    /** A service with two providers of one name. */
    public interface Twin extends Service {
    }

    public static final class LeftTwin extends Named implements Twin {
        public LeftTwin() {
            super("twin");
        }
    }

    public static final class RightTwin extends Named implements Twin {
        public RightTwin() {
            super("twin");
        }
    }

    /** A service with one good provider. */
    public interface Sprocket extends Service {
    }

    public static final class GoodSprocket extends Named implements Sprocket {
        public GoodSprocket() {
            super("good");
        }
    }
}
