public enum PlaceholderHTTPServer {}
