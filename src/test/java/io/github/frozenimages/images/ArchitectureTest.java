package io.github.frozenimages.images;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The rules that keep the plugin's packages apart, checked on the compiled classes (imports, fully qualified
 * names and inlined uses alike):
 * <ul>
 *   <li>the core's packages form no cycle, and none of them reaches back into the core's root package, which
 *       only puts them together ({@code ImagePuller});</li>
 *   <li>the core knows nothing of Maven, so that it can serve a CLI or another build tool;</li>
 *   <li>HttpClient is spoken only by the transport ({@code core.http}), the registry API ({@code core.registry})
 *       and the engine API's own client ({@code core.engine}, which carries {@code load} over a unix socket,
 *       TCP or TLS to an engine, not to a registry, and so shares nothing of the registry transport): every other
 *       package talks to registries in the protocol's nouns;</li>
 *   <li>the output writers work from the store alone and never talk to a registry;</li>
 *   <li>the shared types and the file helpers are leaves: they import nothing of the project;</li>
 *   <li>sigstore-java, and the BouncyCastle that comes with it, are spoken only by {@code core.trust.sigstore}: they
 *       are not on the plugin's class path but loaded on demand, beside that package, by a class loader of their
 *       own ({@code maven.SigstoreClientLoader}); for the same reason nothing names that package's classes, the
 *       loader reaches them by name.</li>
 * </ul>
 */
@AnalyzeClasses(packages = "io.github.frozenimages.images", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String CORE = "io.github.frozenimages.images.core";

    @ArchTest
    static final ArchRule corePackagesFormNoCycle = slices().matching(CORE + ".(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule corePackagesDoNotReachBackIntoTheRoot = noClasses().that().resideInAPackage(CORE + ".*..")
            .should().dependOnClassesThat().resideInAPackage(CORE);

    @ArchTest
    static final ArchRule coreIsFreeOfMaven = noClasses().that().resideInAPackage(CORE + "..")
            .should().dependOnClassesThat().resideInAPackage("org.apache.maven..");

    // core.engine is the Docker Engine API's client: its requests go to an engine, never to a registry, over
    // transports (unix sockets, the engine's own TLS files) the registry transport has no business with
    @ArchTest
    static final ArchRule onlyTheTransportAndTheRegistryApiSpeakHttpClient = noClasses()
            .that().resideOutsideOfPackages(CORE + ".http..", CORE + ".registry..", CORE + ".engine..")
            .should().dependOnClassesThat().resideInAPackage("org.apache.hc..");

    @ArchTest
    static final ArchRule outputWritersNeverTalkToARegistry = noClasses().that().resideInAPackage(CORE + ".output..")
            .should().dependOnClassesThat().resideInAnyPackage(CORE + ".registry..", CORE + ".http..", CORE + ".auth..",
                    CORE + ".download..", CORE + ".lock..");

    @ArchTest
    static final ArchRule sharedTypesAreALeaf = leaf(CORE + ".shared..");

    @ArchTest
    static final ArchRule fileHelpersAreALeaf = leaf(CORE + ".files..");

    /** A package whose classes depend on the JDK, libraries and each other, and on nothing else of the project. */
    private static ArchRule leaf(String pkg) {
        return classes().that().resideInAPackage(pkg)
                .should().onlyDependOnClassesThat(resideOutsideOfPackage("io.github.frozenimages.images..").or(resideInAPackage(pkg)))
                .allowEmptyShould(true);
    }

    private static final String SIGSTORE = CORE + ".trust.sigstore..";

    @ArchTest
    static final ArchRule onlyTheSigstorePackageSpeaksSigstore = noClasses().that().resideOutsideOfPackage(SIGSTORE)
            .should().dependOnClassesThat().resideInAnyPackage("dev.sigstore..", "org.bouncycastle..");

    @ArchTest
    static final ArchRule theSigstorePackageIsReachedOnlyThroughItsClassLoader = noClasses().that().resideOutsideOfPackage(SIGSTORE)
            .should().dependOnClassesThat().resideInAPackage(SIGSTORE);

    @ArchTest
    static final ArchRule theCoreNeverCallsTheMavenLayer = noClasses().that().resideInAPackage(CORE + "..")
            .should().dependOnClassesThat().resideInAPackage("io.github.frozenimages.images.maven..");
}
