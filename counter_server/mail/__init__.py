"""E-mail to citizens. Only the seam is here so far (notify.py); no message is sent yet."""
