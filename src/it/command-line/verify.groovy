import groovy.json.JsonSlurper

def reg = registry
def manifest = new JsonSlurper().parse(new File(basedir, 'target/images/manifest.json'))
assert manifest*.RepoTags.flatten().sort() == ["${reg}/test/docker-image:1.0", "${reg}/test/oci-image:1.0"]*.toString()
return true
