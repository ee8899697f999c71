// any bytes: the goal fails at connecting, before the engine could judge them
new File(basedir, 'images.tar').bytes = new byte[1024]
return true
