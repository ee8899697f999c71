import groovy.json.JsonSlurper
import java.nio.file.Files

def reg = registry
def images = ["${reg}/test/docker-image:1.0", "${reg}/test/oci-image:1.0"]*.toString()
def cache = new File(basedir, 'shared-cache/blobs/sha256')
def log = new File(basedir, 'build.log').text

// both modules ran, each with its own output and report; the aggregator pulled nothing
assert log.contains('thread count of 4') : 'the build did not run with -T 4'
// no warning at all: none about thread safety, none from a logger (Maven 4 warns about deprecated logger properties)
def warnings = log.readLines().findAll { it.startsWith('[WARNING]') }
assert warnings.isEmpty() : "warnings in a -T build:\n${warnings.unique().join('\n')}"
assert !new File(basedir, 'target/images').exists()
def reports = ['module-a', 'module-b'].collectEntries { module ->
    def out = new File(basedir, "${module}/target/images")
    def tags = new JsonSlurper().parse(new File(out, 'manifest.json')).collect { it.RepoTags }.flatten()
    assert tags.sort() == images.sort() : "${module}: ${tags}"
    // every file of the output is a hard link to the one verified copy in the shared cache
    new File(out, 'blobs/sha256').listFiles().each { blob ->
        def cached = new File(cache, blob.name)
        assert cached.isFile() : "${module}: ${blob.name} is not in the shared cache"
        assert Files.getAttribute(blob.toPath(), 'unix:ino') == Files.getAttribute(cached.toPath(), 'unix:ino') :
                "${module}: ${blob.name} is a copy, not a link into the cache"
    }
    [(module): new JsonSlurper().parse(new File(basedir, "${module}/target/images-report.json")).images]
}

// one download per layer across both modules: whatever one module fetched, the other found in the cache
images.each { ref ->
    def a = reports['module-a'].find { it.reference == ref }
    def b = reports['module-b'].find { it.reference == ref }
    assert a && b : "${ref} missing from a report"
    assert a.digest == b.digest
    assert a.layersDownloaded + b.layersDownloaded == a.layers :
            "${ref}: module-a downloaded ${a.layersDownloaded}, module-b ${b.layersDownloaded} of ${a.layers} layers"
}
// and nothing half-written was left behind in the cache
assert !cache.listFiles().any { it.name.endsWith('.partial') }
return true
