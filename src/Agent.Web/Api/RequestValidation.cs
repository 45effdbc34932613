using System.ComponentModel.DataAnnotations;

namespace CallCenter.Agent.Web.Api;

/// <summary>DataAnnotations validation of a request record, nested lists included.</summary>
internal static class RequestValidation
{
    public static bool TryValidate(object request, out Dictionary<string, string[]> errors)
    {
        var found = new Dictionary<string, List<string>>();
        Collect(request, "", found, depth: 0);
        errors = found.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
        return errors.Count == 0;
    }

    private static void Collect(object value, string prefix, Dictionary<string, List<string>> found, int depth)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true);
        foreach (var r in results)
        {
            foreach (var member in r.MemberNames.DefaultIfEmpty(""))
            {
                var key = prefix + JsonName(member);
                if (!found.TryGetValue(key, out var list))
                {
                    found[key] = list = [];
                }

                list.Add(r.ErrorMessage ?? "invalid");
            }
        }

        if (depth > 4)
        {
            return;
        }

        foreach (var property in value.GetType().GetProperties())
        {
            if (property.GetIndexParameters().Length == 0 && property.GetValue(value) is System.Collections.IEnumerable items and not string)
            {
                var i = 0;
                foreach (var item in items)
                {
                    if (item is not null && !item.GetType().IsPrimitive && item is not string)
                    {
                        Collect(item, $"{prefix}{JsonName(property.Name)}[{i}].", found, depth + 1);
                    }

                    i++;
                }
            }
        }
    }

    private static string JsonName(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];
}
