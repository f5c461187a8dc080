public enum PlaceholderAPIServer {}
