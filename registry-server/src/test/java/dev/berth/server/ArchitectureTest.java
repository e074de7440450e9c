package dev.berth.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rules Berth's packages keep, checked on the compiled main classes of every module this one depends on (all but
 * the examples and benchmarks): no package cycles, an SPI that depends on nothing but the model, {@code internal}
 * packages used only inside their own module, and public signatures made of JDK types and Berth's own public types
 * (plus the few foreign APIs a module exists to serve, listed in {@link #FOREIGN_API}).
 */
class ArchitectureTest {
    /**
     * Foreign types a module's public signatures may use because serving that API is the module's job: the servlets
     * (the registry's, the token endpoint and the web console) are Jakarta servlets, the server hands Jetty handlers
     * to embedders who compose their own server and binds its metrics to Micrometer, and the test kit is a set of JUnit tests with AssertJ helpers.
     */
    private static final Map<String, List<String>> FOREIGN_API = Map.of(
            "registry-servlet", List.of("jakarta.servlet."),
            "auth-token", List.of("jakarta.servlet."),
            "registry-ui", List.of("jakarta.servlet."),
            "registry-server", List.of("jakarta.servlet.", "org.eclipse.jetty.", "io.micrometer."),
            "registry-testkit", List.of("org.junit.", "org.assertj."));

    private static final Pattern MODULE = Pattern.compile("/([a-z0-9-]+)/target/classes/|/([a-z0-9-]+)-\\d[^/]*\\.jar!");

    private static JavaClasses berth;

    @BeforeAll
    static void importClasses() {
        berth = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.berth");
        // A test that finds nothing proves nothing: every module must have been imported.
        Set<String> modules = new LinkedHashSet<>();
        berth.forEach(c -> module(c).ifPresent(modules::add));
        assertThat(modules).contains("registry-core", "registry-servlet",
                "registry-server", "registry-testkit", "storage-fs", "storage-s3", "auth-htpasswd", "auth-token",
                "cache-redis", "registry-notifications", "registry-ui");
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("dev.berth.(**)").should().beFreeOfCycles().check(berth);
    }

    @Test
    void theSpiDependsOnNothingButTheModel() {
        noClasses().that().resideInAPackage("dev.berth.registry.spi..")
                .should().dependOnClassesThat(outside("dev.berth.registry.spi.", "dev.berth.registry.model.", "java."))
                .check(berth);
    }

    @Test
    void internalPackagesAreUsedOnlyInsideTheirModule() {
        classes().should(new ArchCondition<JavaClass>("use internal packages of their own module only") {
            @Override
            public void check(JavaClass item, ConditionEvents events) {
                for (Dependency d : item.getDirectDependenciesFromSelf()) {
                    JavaClass target = d.getTargetClass();
                    if (isInternal(target) && !module(target).equals(module(item))) {
                        events.add(SimpleConditionEvent.violated(d, d.getDescription()));
                    }
                }
            }
        }).check(berth);
    }

    @Test
    void publicSignaturesUseOnlyJdkAndBerthPublicTypes() {
        classes().that(arePublicApi()).should(new ArchCondition<JavaClass>("expose only JDK and Berth's public types") {
            @Override
            public void check(JavaClass item, ConditionEvents events) {
                List<String> foreign = FOREIGN_API.getOrDefault(module(item).orElse(""), List.of());
                List<Object[]> exposed = new ArrayList<>();
                item.getRawSuperclass().ifPresent(s -> exposed.add(new Object[] {item, s}));
                item.getRawInterfaces().forEach(i -> exposed.add(new Object[] {item, i}));
                for (JavaMember m : item.getMembers()) {
                    if (!isVisible(m.getModifiers())) {
                        continue;
                    }
                    if (m instanceof JavaField f) {
                        f.getType().getAllInvolvedRawTypes().forEach(t -> exposed.add(new Object[] {m, t}));
                    } else if (m instanceof JavaCodeUnit code) {
                        code.getReturnType().getAllInvolvedRawTypes().forEach(t -> exposed.add(new Object[] {m, t}));
                        for (JavaType p : code.getParameterTypes()) {
                            p.getAllInvolvedRawTypes().forEach(t -> exposed.add(new Object[] {m, t}));
                        }
                        code.getThrowsClause().getTypes().forEach(t -> exposed.add(new Object[] {m, t}));
                    }
                }
                for (Object[] e : exposed) {
                    JavaClass type = ((JavaClass) e[1]).getBaseComponentType();
                    if (!allowedInSignature(type, foreign)) {
                        events.add(SimpleConditionEvent.violated(e[0],
                                describe(e[0]) + " exposes " + type.getName()));
                    }
                }
            }
        }).check(berth);
    }

    private static boolean allowedInSignature(JavaClass type, List<String> foreign) {
        String name = type.getName();
        // javax.net.ssl is Java SE's TLS API, in java.base like java.*: an SSLContext says whom a client trusts
        if (type.isPrimitive() || name.startsWith("java.") || name.startsWith("javax.net.ssl.")
                || foreign.stream().anyMatch(name::startsWith)) {
            return true;
        }
        return name.startsWith("dev.berth.") && !isInternal(type) && isVisible(type.getModifiers());
    }

    private static String describe(Object owner) {
        return owner instanceof JavaMember m ? m.getFullName() : ((JavaClass) owner).getName();
    }

    private static DescribedPredicate<JavaClass> arePublicApi() {
        return DescribedPredicate.describe("are public API", c -> !isInternal(c) && isExported(c));
    }

    /** Public, and (when nested) nested in a public class all the way out. */
    private static boolean isExported(JavaClass c) {
        if (!c.getModifiers().contains(JavaModifier.PUBLIC) || c.isAnonymousClass() || c.isLocalClass()) {
            return false;
        }
        Optional<JavaClass> outer = c.getEnclosingClass();
        return outer.isEmpty() || isExported(outer.get());
    }

    private static boolean isVisible(Set<JavaModifier> modifiers) {
        return modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED);
    }

    private static boolean isInternal(JavaClass c) {
        return c.getPackageName().contains(".internal.") || c.getPackageName().endsWith(".internal");
    }

    private static DescribedPredicate<JavaClass> outside(String... prefixes) {
        return DescribedPredicate.describe("lie outside " + String.join(", ", prefixes),
                c -> !c.getBaseComponentType().isPrimitive()
                        && Arrays.stream(prefixes).noneMatch(c.getBaseComponentType().getName()::startsWith));
    }

    /** The Maven module a class was compiled in: the folder above {@code target/classes}, or the jar's name. */
    private static Optional<String> module(JavaClass c) {
        return c.getSource().map(s -> {
            URI uri = s.getUri();
            Matcher m = MODULE.matcher(uri.toString());
            return m.find() ? (m.group(1) != null ? m.group(1) : m.group(2)) : uri.toString();
        });
    }
}
