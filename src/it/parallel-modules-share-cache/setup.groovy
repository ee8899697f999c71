// The modules must meet an empty cache, also when the IT runs again over an earlier clone.
new File(basedir, 'shared-cache').deleteDir()
return true
