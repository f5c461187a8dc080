print("kubelite")
