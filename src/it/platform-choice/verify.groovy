import groovy.json.JsonSlurper

def out = new File(basedir, 'target/images')
def manifest = new JsonSlurper().parse(new File(out, 'manifest.json'))
def reg = registry
def platformOf = { tag ->
    def entry = manifest.find { it.RepoTags.contains("${reg}/${tag}".toString()) }
    def config = new JsonSlurper().parse(new File(out, entry.Config))
    [config.architecture, config.variant ?: '']
}
assert platformOf('test/multi-docker:1.0') == ['arm', 'v7']   // the goal's platform
assert platformOf('test/multi-oci:1.0')[0] == 'arm64'          // the image's own platform wins
def index = new JsonSlurper().parse(new File(out, 'index.json'))
def arm = index.manifests.find { it.annotations['io.containerd.image.name'].endsWith('/test/multi-docker:1.0') }
assert arm.platform == [architecture: 'arm', os: 'linux', variant: 'v7']
def log = new File(basedir, 'build.log').text
assert log.contains('test/multi-docker:1.0 linux/arm/v7 sha256:')
assert log.contains('test/multi-oci:1.0 linux/arm64 sha256:')
return true
