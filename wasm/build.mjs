// placeholder replaced by the codec build
