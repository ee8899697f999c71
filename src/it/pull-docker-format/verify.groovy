import groovy.json.JsonSlurper
import java.security.MessageDigest

def out = new File(basedir, 'target/images')
assert new File(out, 'oci-layout').text.contains('"imageLayoutVersion":"1.0.0"')

// every blob is the content its name promises
def blobs = new File(out, 'blobs/sha256').listFiles()
assert blobs.length > 0
blobs.each { f ->
    def hex = MessageDigest.getInstance('SHA-256').digest(f.bytes).encodeHex().toString()
    assert hex == f.name : "blob ${f.name} hashes to ${hex}"
}

def manifest = new JsonSlurper().parse(new File(out, 'manifest.json'))
def tags = manifest.collect { it.RepoTags }.flatten()
def reg = registry
['docker-image:1.0', 'oci-image:1.0', 'dup-layer:1.0', 'shared-base:1.0', 'shared-base:2.0'].each {
    assert tags.contains("${reg}/test/${it}".toString()) : "RepoTags lack ${it}: ${tags}"
}
manifest.each { entry ->
    assert new File(out, entry.Config).isFile()
    entry.Layers.each { assert new File(out, it).isFile() }
    def config = new JsonSlurper().parse(new File(out, entry.Config))
    assert entry.Layers.size() == config.rootfs.diff_ids.size()
}
// the image that lists one layer twice keeps every entry, the repeated ones pointing at one blob
def dup = manifest.find { it.RepoTags.contains("${reg}/test/dup-layer:1.0".toString()) }
assert dup.Layers.size() == 3 && dup.Layers.unique(false).size() == 2

def index = new JsonSlurper().parse(new File(out, 'index.json'))
def names = index.manifests.collect { it.annotations['io.containerd.image.name'] }
assert names.contains("${reg}/test/oci-image:1.0".toString())
assert index.manifests.every { it.platform.os == 'linux' && it.platform.architecture }

def log = new File(basedir, 'build.log').text
assert log =~ /test\/docker-image:1\.0 linux\/amd64 sha256:[0-9a-f]{12} 3 layers, .* \(\d+ cached\) in [0-9.]+ s/
// batch mode (invoker runs -B): one line per image, no live progress redraws
assert !log.contains('\r') : 'progress noise in a batch build log'
return true
