package dev.berth.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.events.EventListener;
import dev.berth.registry.events.RegistryEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ActivityTest {
    private static RegistryEvent event(RegistryEvent.Action action, String tag, String agent) {
        return RegistryEvent.of(action, new RegistryEvent.Target(null, -1, null, "app", null, null, tag, null),
                new RegistryEvent.Request("r", "", "", "GET", agent), RegistryEvent.Actor.ANONYMOUS);
    }

    @Test
    void keepsTheLastEventsNewestFirst() {
        Activity activity = new Activity(3);
        for (int i = 1; i <= 5; i++) {
            activity.onEvent(event(RegistryEvent.Action.PUSH, "t" + i, "docker"));
        }
        assertThat(activity.recent()).extracting(e -> e.target().tag()).containsExactly("t5", "t4", "t3");
        assertThatThrownBy(() -> new Activity(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tellsItsWatchersOfEveryChangeButNotOfPulls() {
        Activity activity = new Activity(1);
        List<String> changed = new ArrayList<>();
        activity.onChange(e -> changed.add(e.action().wireName() + " " + e.target().tag()));
        activity.onEvent(event(RegistryEvent.Action.PUSH, "pushed", "docker"));
        activity.onEvent(event(RegistryEvent.Action.PULL, "pulled", "docker"));
        activity.onEvent(event(RegistryEvent.Action.DELETE, "deleted", "docker"));
        assertThat(changed).containsExactly("push pushed", "delete deleted");
        assertThat(activity.recent()).extracting(e -> e.target().tag()).containsExactly("deleted");
    }

    @Test
    void composesWithAnotherListener() {
        Activity activity = new Activity(10);
        List<RegistryEvent> other = new ArrayList<>();
        EventListener both = activity.and(other::add);
        both.onEvent(event(RegistryEvent.Action.PUSH, "x", "docker"));
        assertThat(other).hasSize(1);
        assertThat(activity.recent()).hasSize(1);
        assertThat(activity.and(EventListener.NONE)).isSameAs(activity);
    }
}
