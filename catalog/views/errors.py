from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    # Only our own messages are shown: the resolver's Http404 carries debug data (a dict).
    args = getattr(exception, "args", ())
    message = args[0] if args and isinstance(args[0], str) else "Not found."
    if request.path.startswith("/api/"):
        return JsonResponse({"error": message}, status=404)
    return render(request, "404.html", {"message": message}, status=404)
