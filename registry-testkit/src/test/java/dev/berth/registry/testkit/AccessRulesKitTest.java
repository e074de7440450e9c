package dev.berth.registry.testkit;

import dev.berth.registry.auth.AccessRules;
import dev.berth.registry.spi.auth.AccessController;
import java.util.List;
import java.util.Map;

/** The core's {@link AccessRules}, configured as an operator would write the kit's policy in YAML. */
class AccessRulesKitTest extends AccessControllerKit {
    @Override
    protected AccessController controllerFor(Policy policy) {
        return AccessRules.parse(Map.of(
                "groups", Map.of(policy.developerGroup(), List.of(policy.developer())),
                "rules", List.of(
                        Map.of("repositories", List.of(policy.publicGlob()), "who", List.of("everyone"),
                                "allow", List.of("pull")),
                        Map.of("repositories", List.of(policy.teamGlob()),
                                "who", List.of("group:" + policy.developerGroup()), "allow", List.of("pull", "push")),
                        Map.of("repositories", List.of("**"), "who", List.of("user:" + policy.admin()),
                                "allow", List.of("pull", "push", "delete")))));
    }
}
