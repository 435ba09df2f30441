package io.ncclffm.harness;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;

/**
 * The layering of docs/architecture.md, checked on the compiled classes of every module: the binding knows no harness,
 * the worker carries no Testcontainers, Allure or JUnit, nothing imports upward (binding and device below the
 * protocol, the protocol below worker and controller, controller and worker apart, and the controller's packages in
 * their order), and no package cycle. Each module's classes are read from its own build folder, so a rule cannot pass
 * for want of classes to check; the last tests show the rules failing on deliberately wrong classes of the test sources.
 */
class ArchitectureTest {

    private static final Path ROOT = Path.of("../..");

    private static JavaClasses classesOf(String module) {
        Path dir = ROOT.resolve(module).resolve("target/classes").normalize();
        assertTrue(Files.isDirectory(dir), "the module's classes are built before the controller's tests: " + dir);
        JavaClasses classes = new ClassFileImporter().importPath(dir);
        assertFalse(classes.isEmpty(), "classes in " + dir);
        return classes;
    }

    private static final JavaClasses BINDING = classesOf("binding");
    private static final JavaClasses DEVICE = classesOf("device");
    private static final JavaClasses PROTOCOL = classesOf("harness/protocol");
    private static final JavaClasses WORKER = classesOf("harness/worker");
    private static final JavaClasses CONTROLLER = classesOf("harness/controller");
    private static final JavaClasses ALL = new ClassFileImporter().importPaths(
            Set.of("binding", "device", "harness/protocol", "harness/worker", "harness/controller").stream()
                    .map(m -> ROOT.resolve(m).resolve("target/classes")).toList());

    private static String[] packagesOf(JavaClasses classes) {
        Set<String> packages = new TreeSet<>();
        for (JavaClass c : classes) packages.add(c.getPackageName());
        return packages.toArray(String[]::new);
    }

    /** The binding and the device runtime know no harness. */
    static final ArchRule BINDING_KNOWS_NO_HARNESS = noClasses().that().resideInAnyPackage("io.ncclffm", "io.ncclffm.internal..",
                    "io.ncclffm.device..")
            .should().dependOnClassesThat().resideInAnyPackage("io.ncclffm.harness..")
            .as("the binding and the device runtime know no harness");

    /** The device runtime does not depend on the binding. */
    static final ArchRule DEVICE_WITHOUT_BINDING = noClasses().that().resideInAnyPackage("io.ncclffm.device..")
            .should().dependOnClassesThat().resideInAnyPackage("io.ncclffm", "io.ncclffm.internal..")
            .as("the device runtime does not depend on the binding");

    /** What runs next to the library under test stays small: no test or container framework. */
    static final ArchRule WORKER_HAS_NO_TEST_FRAMEWORKS = noClasses()
            .should().dependOnClassesThat().resideInAnyPackage("org.testcontainers..", "io.qameta.allure..", "org.junit..")
            .as("the worker and the protocol have no Testcontainers, Allure or JUnit");

    /** The protocol is below both sides: it imports neither the worker nor the controller. */
    static final ArchRule PROTOCOL_BELOW_BOTH_SIDES = noClasses().that().resideInAnyPackage(packagesOf(PROTOCOL))
            .should().dependOnClassesThat().resideInAnyPackage(concat(packagesOf(WORKER), packagesOf(CONTROLLER)))
            .as("the protocol imports neither the worker nor the controller");

    /** The controller never calls the worker's code: it starts the worker's jar. */
    static final ArchRule CONTROLLER_WITHOUT_WORKER = noClasses().that().resideInAnyPackage(packagesOf(CONTROLLER))
            .should().dependOnClassesThat().resideInAnyPackage(packagesOf(WORKER))
            .as("the controller never imports the worker");

    /** Nor does the worker know the controller. */
    static final ArchRule WORKER_WITHOUT_CONTROLLER = noClasses().that().resideInAnyPackage(packagesOf(WORKER))
            .should().dependOnClassesThat().resideInAnyPackage(packagesOf(CONTROLLER))
            .as("the worker never imports the controller");

    /** The controller's packages, lowest first: each may use only those below it. */
    static final ArchRule CONTROLLER_LAYERS = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("matrix").definedBy("io.ncclffm.harness.matrix")
            .layer("launch").definedBy("io.ncclffm.harness.launch")
            .layer("library").definedBy("io.ncclffm.harness.library")
            .layer("verdict").definedBy("io.ncclffm.harness.verdict")
            .layer("perf.judge").definedBy("io.ncclffm.harness.perf.judge")
            .layer("perf.render").definedBy("io.ncclffm.harness.perf.render")
            .layer("perf").definedBy("io.ncclffm.harness.perf")
            .layer("report").definedBy("io.ncclffm.harness.report")
            .layer("signoff").definedBy("io.ncclffm.harness.signoff")
            .layer("junit").definedBy("io.ncclffm.harness.junit")
            .layer("cli").definedBy("io.ncclffm.harness.cli")
            .whereLayer("cli").mayNotBeAccessedByAnyLayer()
            .whereLayer("junit").mayOnlyBeAccessedByLayers("cli")
            .whereLayer("signoff").mayOnlyBeAccessedByLayers("junit", "cli")
            .whereLayer("report").mayOnlyBeAccessedByLayers("signoff", "junit", "cli")
            .whereLayer("perf").mayOnlyBeAccessedByLayers("report", "junit", "cli")
            .whereLayer("perf.render").mayOnlyBeAccessedByLayers("perf", "report", "junit", "cli")
            .whereLayer("perf.judge").mayOnlyBeAccessedByLayers("perf.render", "perf", "report", "signoff", "junit", "cli")
            .whereLayer("verdict").mayOnlyBeAccessedByLayers("perf.judge", "perf.render", "perf", "report", "signoff", "junit", "cli")
            .whereLayer("library").mayOnlyBeAccessedByLayers("verdict", "perf.judge", "perf.render", "perf", "report", "junit", "cli")
            .whereLayer("launch").mayOnlyBeAccessedByLayers("library", "verdict", "perf.judge", "perf.render", "perf", "report", "junit",
                    "cli")
            .as("the controller's packages import only the packages below them");

    /**
     * No two packages of the code base depend on each other, directly or around a longer cycle. One pair is the shape
     * the device runtime is built in (STYLE.md takes it from JavaDoesUSB): its public package holds the interfaces and
     * the factory ({@code DeviceRuntimes}), whose one call into each implementation package picks the runtime there.
     */
    static final ArchRule NO_PACKAGE_CYCLES = slices().matching("io.ncclffm.(**)").should().beFreeOfCycles()
            .ignoreDependency(JavaClass.Predicates.simpleName("DeviceRuntimes"),
                    JavaClass.Predicates.resideInAnyPackage("io.ncclffm.device.cuda", "io.ncclffm.device.hip"))
            .as("no package cycles");

    private static String[] concat(String[] a, String[] b) {
        Set<String> all = new TreeSet<>(Set.of(a));
        all.addAll(Set.of(b));
        return all.toArray(String[]::new);
    }

    @Test
    void theModulesKeepTheirOwnPackages() {
        assertEquals(Set.of("io.ncclffm.harness.protocol"), Set.of(packagesOf(PROTOCOL)));
        for (String p : packagesOf(WORKER)) assertFalse(Set.of(packagesOf(CONTROLLER)).contains(p), p + " is the worker's and the controller's");
        assertTrue(Set.of(packagesOf(WORKER)).contains("io.ncclffm.harness.worker"), "the worker's classes were read");
    }

    @Test
    void theBindingKnowsNoHarness() {
        BINDING_KNOWS_NO_HARNESS.check(BINDING);
        BINDING_KNOWS_NO_HARNESS.check(DEVICE);
        DEVICE_WITHOUT_BINDING.check(DEVICE);
    }

    @Test
    void theWorkerHasNoTestcontainersAllureOrJUnit() {
        WORKER_HAS_NO_TEST_FRAMEWORKS.check(WORKER);
        WORKER_HAS_NO_TEST_FRAMEWORKS.check(PROTOCOL);
    }

    @Test
    void nothingImportsUpward() {
        PROTOCOL_BELOW_BOTH_SIDES.check(PROTOCOL);
        CONTROLLER_WITHOUT_WORKER.check(CONTROLLER);
        WORKER_WITHOUT_CONTROLLER.check(WORKER);
        CONTROLLER_LAYERS.check(CONTROLLER);
    }

    @Test
    void noPackageHasACycle() {
        NO_PACKAGE_CYCLES.check(ALL);
    }

    /** A module's classes and one planted class of the test sources, read together as the build would read them. */
    private static JavaClasses withPlanted(String module, String planted) throws Exception {
        Class<?> c = Class.forName(planted);
        Location plantedClass = Location.of(c.getResource(c.getSimpleName() + ".class").toURI());
        return new ClassFileImporter().importLocations(List.of(Location.of(ROOT.resolve(module).resolve("target/classes").normalize()),
                plantedClass));
    }

    @Test
    void aPlantedUpwardImportFromTheProtocol_failsItsRule() throws Exception {
        JavaClasses classes = withPlanted("harness/protocol", "io.ncclffm.harness.protocol.PlantedUpwardImport");
        EvaluationResult result = PROTOCOL_BELOW_BOTH_SIDES.evaluate(classes);
        assertTrue(result.hasViolation(), "the rule must catch the planted class");
        assertTrue(result.getFailureReport().toString().contains("io.ncclffm.harness.protocol.PlantedUpwardImport"),
                result.getFailureReport().toString());
        assertFalse(PROTOCOL_BELOW_BOTH_SIDES.evaluate(PROTOCOL).hasViolation(), "and only that class");
    }

    @Test
    void aPlantedUpwardImportInTheController_failsTheLayersAndTheCycleRule() throws Exception {
        JavaClasses classes = withPlanted("harness/controller", "io.ncclffm.harness.matrix.PlantedUpwardImport");
        EvaluationResult layers = CONTROLLER_LAYERS.evaluate(classes);
        assertTrue(layers.hasViolation(), "the layers must catch the matrix importing the report");
        assertTrue(layers.getFailureReport().toString().contains("io.ncclffm.harness.matrix.PlantedUpwardImport"),
                layers.getFailureReport().toString());
        EvaluationResult cycles = NO_PACKAGE_CYCLES.evaluate(classes);
        assertTrue(cycles.hasViolation(), "matrix -> report -> matrix is a cycle");
        assertTrue(cycles.getFailureReport().toString().contains("Slice harness.matrix"), cycles.getFailureReport().toString());
    }
}
