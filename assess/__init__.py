"""assess: competency assessment and quiz engine for training programmes."""

import os

__version__ = "0.1.0"

# OpenCV (the answer sheet reader, assess.delivery.omr) decodes images of up to a gigapixel by default:
# 3 GB of memory for one hostile PNG of a few kilobytes. A phone's largest photos are about 50
# megapixels. OpenCV reads this once, when cv2 is first imported, so it is set here, before any part
# of assess can import it.
MAX_IMAGE_PIXELS = 120_000_000
os.environ.setdefault("OPENCV_IO_MAX_IMAGE_PIXELS", str(MAX_IMAGE_PIXELS))
