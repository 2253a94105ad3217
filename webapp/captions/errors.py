"""What goes wrong with caption input; the views turn these into 400 and 413."""


class CaptionError(ValueError):
    """The upload or a field is not acceptable; the message says where and why."""


class CaptionTooLarge(CaptionError):
    """The file is over the size limit (413)."""
